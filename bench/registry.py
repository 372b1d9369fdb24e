"""Registry figures: loading the Lai Châu seed, and the scoped unit query of a commune editor.

Baselines: parsing the same CSV alone (the floor of loading it), and a bare primary-key query.
"""

from bench.common import best_of, report


def main() -> None:
    from django.db import transaction

    from rasoat.orgs.models import Membership, Unit, User
    from rasoat.orgs.registry import load_seed_registry, read_seed_csv
    from rasoat.orgs.roles import Role

    def load() -> None:
        with transaction.atomic():
            load_seed_registry()
            transaction.set_rollback(True)

    report("load the seed registry (259 units) ÷ CSV parse", best_of(load, 3), best_of(read_seed_csv, 20))

    with transaction.atomic():
        load_seed_registry()
        user = User.objects.create_user("bench-editor")
        Membership.objects.create(user=user, unit=Unit.objects.get(code="X.03637"), role=Role.EDITOR)

        def scoped() -> int:
            fresh = User.objects.get(pk=user.pk)
            return len(list(Unit.objects.visible_to(fresh)))

        def bare() -> int:
            User.objects.get(pk=user.pk)
            return len(list(Unit.objects.filter(pk__in=[1, 2, 3, 4, 5, 6])))

        report("scoped units of a commune editor ÷ bare pk query", best_of(scoped, 50), best_of(bare, 50))
        transaction.set_rollback(True)
