"""``netsim init``: a starter directory for simulating one's own organisation.

It holds a scenario with a comment on every field, the three CSV files the scenario names
(each with its header row and a small example organisation, so the directory validates and
runs as written) and a README telling a planner, in plain words, what to put where. The CSV
files are written the way Danish Excel writes and reads them: UTF-8 with a byte-order mark,
``;`` between values, ``,`` as the decimal mark.
"""

from __future__ import annotations

from pathlib import Path

from netsim.errors import NetsimError

__all__ = ["STARTER_FILES", "write_starter"]

_SCENARIO = """\
# Our networks, simulated before we spend the hours: a starter scenario from `netsim init`.
#
# Lines starting with # are comments. Put your organisation in employees.csv (README.md says
# how), change the values below, then check and run the scenario:
#
#     netsim validate scenario.toml
#     netsim run scenario.toml --out results
#
# Every field not written here has a default: `netsim schema` lists them all, and the
# netsim documentation (docs/model.md) explains what each one does.

name = "my_organisation"        # the name shown in results
# Free text for whoever reads this file; netsim does not use it.
description = "Our networks: what they cost, who keeps coming, what they give."

[simulation]
years = 2                       # how long to simulate
seed = 1                        # the same seed gives the same results; change it to see another

[organisation]
# Who works here: one row per employee. Paths are relative to this file.
employees_csv = "employees.csv"
# Who works with whom, as far as you know (a survey, a guess): one row per pair. Optional:
# delete the line if you know of none. Either way netsim adds the everyday ties it would
# expect inside units and departments and a few across them.
ties_csv = "ties.csv"

# What an hour of each role costs in DKK, for people whose hourly_cost_dkk is empty in
# employees.csv.
[organisation.hourly_cost_dkk]
executive = 800
head = 650
leader = 550
specialist = 450
employee = 400

# Job titles in the role column of employees.csv, translated to netsim's five roles
# (executive, head, leader, specialist, employee). netsim knows these and the Danish
# direktør, fagchef, leder, afdelingsleder and medarbejder by itself; add every other title
# your file uses. Upper and lower case do not matter.
[organisation.role_map]
"Skoleleder" = "leader"
"Lærer" = "employee"
"Pædagog" = "employee"
"Konsulent" = "specialist"

# A network you have today. Its members are listed in members.csv.
[networks.project_leaders]
purpose = "competence"          # competence | knowledge_sharing | strategy | leader_forum
topics = ["projektledelse"]     # what it is about (here a specialty from employees.csv)
members_csv = "members.csv"     # who is in it
select = {}                     # narrow the list down, e.g. { roles = ["specialist"] }; {} = all
enrollment = "invitation"       # automatic | invitation | voluntary: how people become members
goal_clarity = 0.7              # 0 = no stated goal, 1 = a clear goal everybody knows
participation = 0.8             # 0 = a lecture series, 1 = the participants do the work
facilitation = "none"           # none | professional (a paid facilitator runs the meetings)
interval_weeks = 6              # weeks between meetings
duration_hours = 2.5            # length of a meeting
prep_hours = 0.5                # preparation per participant and meeting
travel_hours = 0.5              # travel per participant and meeting
followup_hours = 2              # the organiser's work after each meeting
catering_dkk = 75               # coffee and food per participant and meeting
max_size = 20                   # a bigger network is split into groups of at most this size
quorum = 3                      # with fewer participants the meeting is cancelled

# A network you are thinking of: all leaders and heads in one forum, chosen by role.
# Fields left out take their defaults (see `netsim schema`).
[networks.leader_forum]
purpose = "leader_forum"        # about leadership and strategy
select = { roles = ["leader", "head"] }   # by roles, departments or specialties
enrollment = "automatic"        # everybody is enrolled, whether they asked or not
goal_clarity = 0.3              # a vague goal ("meet and be informed")
participation = 0.2             # mostly presentations
interval_weeks = 4              # monthly
duration_hours = 3              # a long meeting
"""

_EMPLOYEES = """\
id;department;unit;role;specialty;hourly_cost_dkk
101;Direktion;Direktionen;Direktør;;
102;Direktion;Direktionen;Direktør;;
103;Direktion;Stab;Leder;;
104;Direktion;Stab;Konsulent;projektledelse;455,00
105;Direktion;Stab;Medarbejder;;
106;Direktion;Stab;Konsulent;økonomi;
201;Børn og Skole;Ledelse;Fagchef;;
202;Børn og Skole;Åskolen;Skoleleder;;
203;Børn og Skole;Åskolen;Lærer;;
204;Børn og Skole;Åskolen;Lærer;;
205;Børn og Skole;Åskolen;Lærer;;
206;Børn og Skole;Åskolen;Lærer;;
207;Børn og Skole;Åskolen;Lærer;;
208;Børn og Skole;Åskolen;Konsulent;projektledelse;
209;Børn og Skole;Børnehuset Mælkebøtten;Leder;;
210;Børn og Skole;Børnehuset Mælkebøtten;Pædagog;;
211;Børn og Skole;Børnehuset Mælkebøtten;Pædagog;;
212;Børn og Skole;Børnehuset Mælkebøtten;Pædagog;;
213;Børn og Skole;Børnehuset Mælkebøtten;Pædagog;;
301;Teknik og Miljø;Ledelse;Fagchef;;
302;Teknik og Miljø;Vej og Park;Afdelingsleder;;
303;Teknik og Miljø;Vej og Park;Medarbejder;;
304;Teknik og Miljø;Vej og Park;Medarbejder;;
305;Teknik og Miljø;Vej og Park;Medarbejder;;
306;Teknik og Miljø;Vej og Park;Medarbejder;;
307;Teknik og Miljø;Vej og Park;Konsulent;projektledelse;
308;Teknik og Miljø;Byggesag;Leder;;
309;Teknik og Miljø;Byggesag;Medarbejder;;
310;Teknik og Miljø;Byggesag;Medarbejder;;
311;Teknik og Miljø;Byggesag;Medarbejder;;
"""

_TIES = """\
a;b;strength
104;208;0,6
208;307;0,4
201;301;0,8
103;302;
"""

_MEMBERS = """\
employee_id
103
104
208
209
302
307
"""

_README = """\
# Simulating your own organisation with netsim

This folder holds everything netsim needs to simulate the networks of *your* organisation.
It already works as it is, with a small made-up organisation; replace the examples with
your own and run it again.

| file | what it is |
| --- | --- |
| `employees.csv` | everybody who works here, one row per person |
| `ties.csv` | who already works with whom, as far as you know (may stay empty) |
| `members.csv` | the members of a network you have today |
| `scenario.toml` | the networks, and everything else netsim needs to know |

## 1. Fill in `employees.csv`

Export a list of employees from your HR or payroll system and open `employees.csv` in Excel.
Keep the first row (the column names) and replace the example rows with your own:

- `id` — the employee number from the export; every row needs a different one.
- `department` — the department (forvaltning / center / område).
- `unit` — the team or workplace within the department.
- `role` — the job title. netsim knows `direktør`, `fagchef`, `leder`, `afdelingsleder`,
  `specialist` and `medarbejder` (and the English `executive`, `head`, `leader`,
  `specialist`, `employee`). For any other title ("Skoleleder", "Pædagog", ...) add a line
  under `[organisation.role_map]` in `scenario.toml` saying which of the five it is.
  A *specialist* is someone with an expertise few others have (project management, lean,
  finance, ...).
- `specialty` — only for specialists, and they must have one: their expertise, e.g.
  `projektledelse`. Use the same spelling for the same expertise.
- `hourly_cost_dkk` — what an hour of this person costs. Leave it empty to use the cost of
  their role from `scenario.toml`.

Other columns (names, e-mail) are ignored, so you may leave them in. Save as *CSV*: Excel's
"CSV UTF-8" or "CSV (semikolonsepareret)" both work; so do comma- or tab-separated files.

## 2. Ties and members (optional)

- `ties.csv`: one row per pair of people who work together (`a` and `b` are employee
  numbers), with a `strength` between 0 and 1 (1 = work together daily; empty = a normal
  tie). Leave only the first row if you know of none: netsim adds the usual ties within
  units and departments either way. If you do not use it, delete the `ties_csv` line in
  `scenario.toml`.
- `members.csv`: the employee numbers of the members of a network you have today, one per
  row. Make one file per network and name it in that network's `members_csv`.

## 3. Describe the networks in `scenario.toml`

Every line there has a comment saying what it means. Describe the networks you have and the
ones you are thinking of; networks can also pick their members by role, department or
specialty instead of a list.

## 4. Check and run

    netsim validate scenario.toml
    netsim run scenario.toml --out results

If something is wrong, netsim says which file, which line and which column. `results/`
gets the hours and costs of every meeting, who came, and a summary. To compare two
designs, copy `scenario.toml`, change the copy, and run
`netsim compare scenario.toml other.toml`.
"""

#: File name -> contents of the starter directory.
STARTER_FILES: dict[str, str] = {
    "scenario.toml": _SCENARIO,
    "employees.csv": _EMPLOYEES,
    "ties.csv": _TIES,
    "members.csv": _MEMBERS,
    "README.md": _README,
}

_BOM = "\ufeff"


def write_starter(directory: str | Path, *, force: bool = False) -> list[Path]:
    """Write the starter files into ``directory`` (created if needed).

    Parameters
    ----------
    directory : path
    force : bool
        Overwrite files that exist. Without it, nothing is written if any of them exists.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    NetsimError
        A file exists (and ``force`` is false), or the directory cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     names = [p.name for p in write_starter(d)]
    ...     write_starter(d)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    netsim.errors.NetsimError: ...: would overwrite scenario.toml, employees.csv, ...
    >>> names
    ['scenario.toml', 'employees.csv', 'ties.csv', 'members.csv', 'README.md']
    """
    from netsim.sim.result import atomic_write_text

    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise NetsimError(f"{out}: exists and is not a directory")
    existing = [name for name in STARTER_FILES if (out / name).exists()]
    if existing and not force:
        raise NetsimError(
            f"{out}: would overwrite {', '.join(existing)}; use --force to overwrite them"
        )
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in STARTER_FILES.items():
            path = out / name
            # CSV files as Danish Excel writes them, so that Excel opens them as columns.
            atomic_write_text(path, _BOM + text if name.endswith(".csv") else text)
            written.append(path)
    except OSError as exc:
        raise NetsimError(f"{out}: cannot write the starter files ({exc.strerror})") from None
    return written
