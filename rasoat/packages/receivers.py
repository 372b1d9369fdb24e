"""What the packages app answers to the inventory's submit signals."""

from rasoat.packages import services


def missing_report(sender, *, assignment, **kwargs) -> list[str]:
    """`inventory.signals.submitting`: why the package is not complete yet (empty when it is)."""
    return services.package_problems(assignment)


def keep_package_with_snapshot(sender, *, assignment, snapshot, **kwargs) -> None:
    """`inventory.signals.submitted`: the snapshot keeps the attachments it was submitted with."""
    services.link_snapshot(assignment, snapshot)
