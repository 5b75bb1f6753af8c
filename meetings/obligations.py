"""Rules → obligations: what each organization owes per period, what was held, what is due.

INTERFACE (implemented by the obligations work; views, reminders, statistics and the heatmap use it):

    @dataclass
    class Obligation:
        organization: Organization
        kind: str                 # a MeetingKind value with a rule meeting.freq.<kind>
        period: Period            # the month / quarter / year in which it is owed
        required: int             # from the rule's "min"
        held: int                 # meetings of that kind held by the organization in the period
        due_on: datetime.date     # period end; for 主题党日 the branch's fixed day of the month
        state: str                # "done" | "upcoming" | "due" (yellow: due soon) | "overdue" (red)
        label (property)          # e.g. "支委会（2022年5月）"
        new_url (property)        # the meeting form pre-filled with organization and kind
        list_url (property)       # the ledger filtered to these meetings (its total == held)

    def obligations_for(org, period, today=None) -> list[Obligation]
    def obligations_grid(orgs, period, today=None) -> dict[(org_id, kind, month_code), Obligation]
        # batched: a constant number of queries whatever the number of organizations
    def due_obligations(user, today=None) -> list[Obligation]
        # not yet met in the current month/quarter/year, for the organizations the user writes
"""
