"""``netsim init``: a starter directory for simulating one's own organisation.

It holds a scenario with a comment on every field, the three CSV files the scenario names
(each with its header row and a small example organisation, so the directory validates and
runs as written) and a README telling a planner, in plain words, what to put where. The CSV
files are written the way Danish Excel writes and reads them: UTF-8 with a byte-order mark,
``;`` between values, ``,`` as the decimal mark.

With ``--employees FILE`` (an HR export) the scenario names that file instead of the example
(it is read where it is, not copied: it holds personal data), with an
``[organisation.columns]`` mapping of the file's own column names (``Medarbejdernr``,
``Afdeling``, ``Stilling``, ...) to netsim's as far as they can be guessed, a commented line
for each that cannot, and an ``[organisation.role_map]`` of the file's job titles with a
guessed role each, every guess marked for the planner to check.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from netsim.errors import NetsimError

__all__ = ["STARTER_FILES", "own_scenario", "write_starter"]

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


#: The job titles written into a starter's role map at most (the most frequent first).
MAX_TITLES = 200

_OWN_HEAD = """\
# Our networks, simulated before we spend the hours: a starter scenario from
# `netsim init --employees`. Lines starting with # are comments. Check every line marked
# "check", then run:
#
#     netsim validate scenario.toml
#     netsim run scenario.toml --out results

name = "my_organisation"        # the name shown in results

[simulation]
years = 2                       # how long to simulate
seed = 1                        # the same seed gives the same results

[organisation]
# Who works here, one row per employee: your HR export, read where it is (not copied).
employees_csv = {path}
"""

_OWN_NETWORK = """
# A network you are thinking of: all leaders and heads in one forum, chosen by role.
# Describe your own networks like this; `netsim schema` lists every field.
[networks.leader_forum]
purpose = "leader_forum"        # competence | knowledge_sharing | strategy | leader_forum
select = {{ roles = ["leader", "head"] }}
enrollment = "automatic"        # automatic | invitation | voluntary
goal_clarity = 0.3              # 0 = no stated goal, 1 = a clear goal everybody knows
participation = 0.2             # 0 = a lecture series, 1 = the participants do the work
interval_weeks = 4
duration_hours = 3
"""


_OWN_README = """\
# Simulating your own organisation with netsim

`scenario.toml` names your HR export (`employees_csv`) and says which of its columns are
netsim's (`[organisation.columns]`: `id`, `department`, `unit`, `role`, and for specialists
`specialty`; optional `hourly_cost_dkk`) and which of netsim's five roles each job title
has (`[organisation.role_map]`: executive, head, leader, specialist, employee). They were
guessed from your file: check every line marked "check", and fill in any commented line.

Then check and run:

    netsim validate scenario.toml
    netsim run scenario.toml --out results --csv-dialect excel-da

If something is wrong, netsim says which file, which line and which column. `results/`
gets the hours and costs of every meeting, who came, and a summary, as CSV files Danish
Excel opens as columns, with your employee numbers and unit names. `netsim explain
scenario.toml --list` shows who kept coming to each network and who stopped, and `netsim
explain scenario.toml --employee NUMBER` why. Known ties and the members of networks you
have today can be added as files too: `netsim init` without `--employees` writes examples.
"""


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def own_scenario(employees: str | Path, directory: str | Path) -> tuple[str, list[str]]:
    """A starter scenario for an HR export: its column mapping and role map guessed.

    Parameters
    ----------
    employees : path-like
        The HR export (CSV, as Excel writes it).
    directory : path-like
        Where the scenario will be; the file is named relative to it.

    Returns
    -------
    text : str
        The scenario.
    missing : list of str
        netsim's required columns the file's header did not give away: a commented line in
        ``[organisation.columns]`` each, to be filled in.

    Raises
    ------
    netsim.scenario.tables.CsvError
        The file cannot be read.
    """
    from netsim.scenario.columns import COLUMN_WORDS, guess_columns, guess_role
    from netsim.scenario.roster import EMPLOYEE_COLUMNS, ROLE_WORDS
    from netsim.scenario.tables import norm, read_header, read_table

    known = {norm(w) for words in COLUMN_WORDS.values() for w in words}
    known |= {*EMPLOYEE_COLUMNS[0], *EMPLOYEE_COLUMNS[1]}
    header = read_header(employees, known)
    columns, missing = guess_columns(header)
    where = os.path.relpath(os.path.abspath(employees), os.path.abspath(directory))
    lines = [_OWN_HEAD.format(path=_toml(where))]
    lines.append(
        "\n# Your file's names for netsim's columns (netsim's name = the header in your "
        "file).\n[organisation.columns]\n"
    )
    for ours, theirs in columns.items():
        lines.append(f"{ours} = {_toml(theirs)}    # guessed from the header: check\n")
    for ours in missing:
        lines.append(f'# {ours} = "..."    # which of your columns is the {ours}? fill it in\n')
    if not columns and not missing:
        lines.append("# (your file uses netsim's names: nothing to map)\n")
    titles: Counter[str] = Counter()
    all_specialists: dict[str, bool] = {}
    if not missing:
        problems: list = []
        table, _ = read_table(employees, EMPLOYEE_COLUMNS, problems, columns)
        for _, cells in table.rows if table is not None else []:
            title = table.cell(cells, "role") if table is not None else ""
            if title and norm(title) not in ROLE_WORDS:
                titles[title] += 1
                has = bool(table.cell(cells, "specialty")) if table is not None else False
                all_specialists[title] = all_specialists.get(title, True) and has
    if titles:
        lines.append(
            "\n# Your job titles, each with the one of netsim's five roles (executive, head, "
            "leader,\n# specialist, employee) it was guessed to be: check every line. A "
            "specialist needs a\n# specialty in your file.\n[organisation.role_map]\n"
        )
        for title, n in titles.most_common(MAX_TITLES):
            role = guess_role(title, specialists=all_specialists[title])
            lines.append(f"{_toml(title)} = {_toml(role)}    # {n} employee(s); check\n")
        if len(titles) > MAX_TITLES:
            lines.append('"*" = "employee"    # every other title; check\n')
    lines.append(_OWN_NETWORK.format())
    return "".join(lines), missing


def write_starter(
    directory: str | Path, *, force: bool = False, employees: str | Path | None = None
) -> list[Path]:
    """Write the starter files into ``directory`` (created if needed).

    Parameters
    ----------
    directory : path
    force : bool
        Overwrite files that exist. Without it, nothing is written if any of them exists.
    employees : path, optional
        An HR export: the scenario names it, with its columns and titles mapped as far as
        they can be guessed (:func:`own_scenario`), and no example files are written.

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
    files = dict(STARTER_FILES)
    if employees is not None:
        files = {"scenario.toml": own_scenario(employees, out)[0], "README.md": _OWN_README}
    existing = [name for name in files if (out / name).exists()]
    if existing and not force:
        raise NetsimError(
            f"{out}: would overwrite {', '.join(existing)}; use --force to overwrite them"
        )
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            path = out / name
            # CSV files as Danish Excel writes them, so that Excel opens them as columns.
            atomic_write_text(path, _BOM + text if name.endswith(".csv") else text)
            written.append(path)
    except OSError as exc:
        raise NetsimError(f"{out}: cannot write the starter files ({exc.strerror})") from None
    return written
