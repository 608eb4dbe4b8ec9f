"""Guessing which columns of an HR export are netsim's, and which role a job title has.

``netsim init --employees FILE`` writes a starter scenario for a planner's own export: its
``[organisation.columns]`` from the header's names (:func:`guess_columns`) and its
``[organisation.role_map]`` from the job titles (:func:`guess_role`). Both are guesses for a
planner to check, marked as such in the file written; the loader uses only what the scenario
says (:mod:`netsim.scenario.roster`).
"""

from __future__ import annotations

from netsim.scenario.roster import EMPLOYEE_COLUMNS
from netsim.scenario.tables import norm

__all__ = ["COLUMN_WORDS", "guess_columns", "guess_role"]

#: Names HR and payroll exports give netsim's employee columns (compared without case,
#: spaces, ``-``, ``_`` or ``.``), for :func:`guess_columns`.
COLUMN_WORDS: dict[str, tuple[str, ...]] = {
    "id": (
        "medarbejdernr",
        "medarbejdernummer",
        "medarbejderid",
        "manr",
        "mednr",
        "lønnr",
        "lønnummer",
        "loennr",
        "loennummer",
        "personalenr",
        "personalenummer",
        "ansatnr",
        "ansattelsesnr",
        "ansættelsesnr",
        "ansættelsesnummer",
        "tjenestenr",
        "tjenestenummer",
        "employeeid",
        "employeenumber",
        "empid",
        "personid",
        "nr",
    ),
    "department": (
        "afdeling",
        "forvaltning",
        "område",
        "omraade",
        "center",
        "direktørområde",
        "direktoeromraade",
        "hovedområde",
        "sektor",
        "department",
        "dept",
        "division",
    ),
    "unit": (
        "enhed",
        "organisationsenhed",
        "orgenhed",
        "team",
        "teamnavn",
        "arbejdssted",
        "afsnit",
        "sektion",
        "institution",
        "gruppe",
        "unit",
        "team name",
        "workplace",
    ),
    "role": (
        "stilling",
        "stillingsbetegnelse",
        "stillingskategori",
        "titel",
        "jobtitel",
        "jobbetegnelse",
        "job",
        "rolle",
        "funktion",
        "title",
        "jobtitle",
        "position",
    ),
    "specialty": (
        "speciale",
        "specialområde",
        "fagligtspeciale",
        "ekspertise",
        "kompetence",
        "speciality",
        "specialisation",
        "specialization",
        "expertise",
    ),
    "hourly_cost_dkk": (
        "timeløn",
        "timepris",
        "timesats",
        "timeomkostning",
        "lønprtime",
        "kostprtime",
        "hourlycost",
        "hourlyrate",
        "hourlycostdkk",
    ),
}


def _squash(text: str) -> str:
    return "".join(c for c in norm(text) if c not in " -_.")


def guess_columns(header: list[str]) -> tuple[dict[str, str], list[str]]:
    """Which of an HR export's columns are netsim's employee columns, by their names.

    Parameters
    ----------
    header : list of str
        The file's header row.

    Returns
    -------
    columns : dict
        netsim's name -> the file's header, for each column found under another name than
        netsim's (a scenario's ``[organisation.columns]``).
    missing : list of str
        netsim's required columns found under no name at all.

    Examples
    --------
    >>> guess_columns(["Medarbejdernr", "Navn", "Afdeling", "Enhed", "Stilling", "role"])
    ({'id': 'Medarbejdernr', 'department': 'Afdeling', 'unit': 'Enhed'}, [])
    >>> guess_columns(["Nr.", "Afdeling"])
    ({'id': 'Nr.', 'department': 'Afdeling'}, ['unit', 'role'])
    """
    squashed = [_squash(h) for h in header]
    columns: dict[str, str] = {}
    taken: set[int] = set()
    missing = []
    for ours in (*EMPLOYEE_COLUMNS[0], *EMPLOYEE_COLUMNS[1]):
        if ours in (norm(h) for h in header):
            taken.add([norm(h) for h in header].index(ours))
            continue  # found under netsim's own name
        words = {_squash(w) for w in COLUMN_WORDS[ours]}
        k = next((k for k, h in enumerate(squashed) if h in words and k not in taken), None)
        if k is not None:
            columns[ours] = header[k]
            taken.add(k)
        elif ours in EMPLOYEE_COLUMNS[0]:
            missing.append(ours)
    return columns, missing


def guess_role(title: str, *, specialists: bool = False) -> str:
    """The role a job title most likely has, for a starter ``[organisation.role_map]``:
    directors are executives, chiefs heads, leaders and managers leaders; a title whose
    people all have a specialty is a specialist's (``specialists``); everybody else an
    employee. A guess for a planner to check, never used without their word.

    Examples
    --------
    >>> [guess_role(t) for t in ("Kommunaldirektør", "Skolechef", "Skoleleder", "Pædagog")]
    ['executive', 'head', 'leader', 'employee']
    >>> guess_role("Projektleder", specialists=True)
    'specialist'
    """
    key = norm(title)
    if specialists:
        return "specialist"
    if "direktør" in key or "director" in key:
        return "executive"
    if "chef" in key or key.startswith("head"):
        return "head"
    if "leder" in key or "manager" in key or "forstander" in key or "inspektør" in key:
        return "leader"
    return "employee"
