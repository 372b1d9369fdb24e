"""rasoat: review and assessment of the IT state of Lai Châu's agencies."""
