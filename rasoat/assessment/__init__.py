"""The assessment: rules, thresholds, scores, findings and the investment-needs estimate (ASSESSMENT.md)."""
