"""Who stands above whom in the reporting line (regulation 三.5: the direct superior, and those above them)."""


def is_superior_of(profile, staff) -> bool:
    """The profile is the staff member's direct superior or above them in the reporting line."""
    return is_above(staff, lambda boss: boss.pk == profile.pk)


def is_above(staff, is_reader) -> bool:
    seen = set()
    boss = staff.superior
    while boss is not None and boss.pk not in seen:
        if is_reader(boss):
            return True
        seen.add(boss.pk)
        boss = boss.superior
    return False
