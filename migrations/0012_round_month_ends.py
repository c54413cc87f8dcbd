"""Rounds on the 29th, 30th or 31st fall on the last day of shorter months instead of skipping them; yearly
dates are kept once each. The stored rules of existing rounds are written again in the new form."""

import re


def _on_or_last(day):
    if day < 29:
        return f"BYMONTHDAY={day}"
    return "BYMONTHDAY=" + ",".join(str(d) for d in range(28, day + 1)) + ";BYSETPOS=-1"


def _yearly(text):
    pairs = sorted({(int(m), int(d)) for d, m in re.findall(r"(\d{1,2})[./-](\d{1,2})", text or "")})
    if not pairs:
        return None, None
    if len(pairs) == 1 or len({d for _, d in pairs}) == 1 and all(d < 29 for _, d in pairs):
        months = ",".join(str(m) for m in sorted({m for m, _ in pairs}))
        rule = f"FREQ=YEARLY;BYMONTH={months};{_on_or_last(pairs[0][1])}"
    else:
        rule = "\n".join(f"RRULE:FREQ=YEARLY;BYMONTH={m};{_on_or_last(d)}" for m, d in pairs)
    return rule, ", ".join(f"{d:02d}-{m:02d}" for m, d in pairs)


def up(migrator, db):
    rounds = db.execute_sql('SELECT id, kind, yearly_dates, month_day FROM "round"').fetchall()
    for round_id, kind, yearly_dates, month_day in rounds:
        if kind == "monthly" and month_day:
            rule, dates = f"FREQ=MONTHLY;{_on_or_last(int(month_day))}", yearly_dates
        elif kind == "yearly":
            rule, dates = _yearly(yearly_dates)
            if rule is None:
                continue
        else:
            continue
        db.execute_sql(
            f'UPDATE "round" SET rule = {db.param}, yearly_dates = {db.param} WHERE id = {db.param}', (rule, dates, round_id)
        )


def down(migrator, db):
    pass  # the new rules read the same dates wherever the old ones had them
