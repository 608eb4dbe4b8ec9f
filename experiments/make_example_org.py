"""Write the synthetic example organisation "Eksempel Kommune" to ``scenarios/data/``.

A made-up Danish municipality of about 1,500 employees in eight departments, written the
way an HR system's export to Excel looks in Denmark: semicolon-separated, UTF-8 with a
byte-order mark, CRLF line ends, decimal commas, Danish job titles (most of which the
scenario's ``role_map`` translates), æ, ø and å in department and unit names. Three files:

- ``eksempel_kommune_ansatte.csv``: the employees (``id``, ``department``, ``unit``,
  ``role``, ``specialty``, ``hourly_cost_dkk``; some costs left empty);
- ``eksempel_kommune_relationer.csv``: known working ties across departments, as a
  collaboration survey would give them (``a``, ``b``, ``strength``; some strengths empty);
- ``eksempel_kommune_projektledernetvaerk.csv``: the members of the project leaders' network
  the municipality already has (``employee_id`` and an informative ``afdeling`` column,
  which netsim ignores).

``scenarios/own_organisation.toml`` uses them. The output depends only on the seed: run
again, the files are the same bytes (a test checks that the committed files are).

Usage::

    python experiments/make_example_org.py [--out scenarios/data] [--seed 2024]
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

import numpy as np

SEED = 2024
OUT = Path(__file__).resolve().parent.parent / "scenarios" / "data"
PREFIX = "eksempel_kommune"

SPECIALTIES = (
    "projektledelse",
    "lean",
    "dokumentation",
    "digitalisering",
    "økonomi",
    "arbejdsmiljø",
)

# Department -> (head's title, specialist share, [(unit, size range, leader title, staff
# titles with weights)]). Sizes include the unit's leader.
DEPARTMENTS: list[tuple[str, str, float, list[tuple[str, tuple[int, int], str, dict[str, float]]]]]
DEPARTMENTS = [
    (
        "Direktion og Stab",
        "Stabschef",
        0.15,
        [
            ("Sekretariatet", (12, 16), "Leder", {"Medarbejder": 1.0}),
            ("Jura og Udbud", (8, 10), "Leder", {"Jurist": 1.0}),
            ("Kommunikation", (6, 8), "Leder", {"Medarbejder": 1.0}),
        ],
    ),
    (
        "Børn og Unge",
        "Fagchef",
        0.02,
        [
            *(
                (f"Børnehuset {name}", (18, 30), "Institutionsleder", {"Pædagog": 1.0})
                for name in (
                    "Mælkebøtten",
                    "Solstrålen",
                    "Regnbuen",
                    "Skovtrolden",
                    "Æblehaven",
                    "Myretuen",
                    "Spiren",
                    "Havblik",
                    "Kastanjen",
                    "Lærkereden",
                )
            ),
            ("Dagplejen Nord", (20, 28), "Leder", {"Dagplejer": 1.0}),
            ("Dagplejen Syd", (20, 28), "Leder", {"Dagplejer": 1.0}),
            ("PPR", (10, 14), "Leder", {"Psykolog": 1.0}),
            ("Sundhedsplejen", (8, 12), "Leder", {"Sundhedsplejerske": 1.0}),
            ("Tandplejen", (12, 18), "Leder", {"Tandplejer": 1.0}),
        ],
    ),
    (
        "Skole og Fritid",
        "Fagchef",
        0.02,
        [
            *(
                (name, (35, 50), "Skoleleder", {"Lærer": 0.8, "Pædagog": 0.2})
                for name in (
                    "Skovgårdsskolen",
                    "Åbyskolen",
                    "Nørre Skole",
                    "Strandskolen",
                    "Bøgely Skole",
                    "Hørsholmvejens Skole",
                    "Søndervangskolen",
                )
            ),
            ("Ungdomsskolen", (10, 16), "Leder", {"Lærer": 1.0}),
            ("Klub Kløverbladet", (8, 12), "Leder", {"Pædagog": 1.0}),
            ("SFO Spurvereden", (12, 18), "Leder", {"Pædagog": 1.0}),
        ],
    ),
    (
        "Ældre og Sundhed",
        "Fagchef",
        0.02,
        [
            *(
                (
                    f"Plejecenter {name}",
                    (35, 50),
                    "Centerleder",
                    {
                        "Social- og sundhedsassistent": 0.6,
                        "Social- og sundhedshjælper": 0.3,
                        "Sygeplejerske": 0.1,
                    },
                )
                for name in ("Åbakken", "Lærkely", "Søholm", "Birkely", "Fjordgården")
            ),
            (
                "Hjemmeplejen Nord",
                (30, 40),
                "Leder",
                {"Social- og sundhedshjælper": 0.7, "Social- og sundhedsassistent": 0.3},
            ),
            *(
                (
                    f"Hjemmeplejen {area}",
                    (30, 40),
                    "Leder",
                    {"Social- og sundhedshjælper": 0.7, "Social- og sundhedsassistent": 0.3},
                )
                for area in ("Syd", "Øst", "Vest")
            ),
            ("Sygeplejen", (14, 20), "Leder", {"Sygeplejerske": 1.0}),
            ("Træning og Rehabilitering", (10, 16), "Leder", {"Fysioterapeut": 1.0}),
            ("Madservice", (15, 20), "Leder", {"Køkkenmedarbejder": 1.0}),
        ],
    ),
    (
        "Social og Beskæftigelse",
        "Fagchef",
        0.03,
        [
            ("Jobcentret", (25, 35), "Leder", {"Sagsbehandler": 0.7, "Socialrådgiver": 0.3}),
            ("Jobcentrets Virksomhedsservice", (10, 14), "Leder", {"Sagsbehandler": 1.0}),
            ("Ydelsescentret", (14, 20), "Leder", {"Sagsbehandler": 1.0}),
            ("Børne- og Familierådgivningen", (16, 24), "Leder", {"Socialrådgiver": 1.0}),
            ("Bostedet Fyrrebo", (16, 24), "Leder", {"Pædagog": 0.6, "Medarbejder": 0.4}),
            ("Socialpsykiatrien", (10, 16), "Leder", {"Socialrådgiver": 0.5, "Pædagog": 0.5}),
            ("Bostedet Kildebo", (16, 24), "Leder", {"Pædagog": 0.6, "Medarbejder": 0.4}),
            ("Handicapområdet", (14, 20), "Leder", {"Socialrådgiver": 1.0}),
            ("Misbrugscentret", (10, 14), "Leder", {"Socialrådgiver": 0.5, "Pædagog": 0.5}),
        ],
    ),
    (
        "Plan, Byg og Miljø",
        "Fagchef",
        0.05,
        [
            ("Byggesag", (10, 14), "Afdelingsleder", {"Ingeniør": 0.5, "Medarbejder": 0.5}),
            ("Vej og Park", (20, 30), "Afdelingsleder", {"Håndværker": 0.8, "Medarbejder": 0.2}),
            ("Natur og Miljø", (8, 12), "Afdelingsleder", {"Biolog": 0.5, "Medarbejder": 0.5}),
            ("Materielgården", (14, 20), "Afdelingsleder", {"Håndværker": 1.0}),
            ("Ejendomsservice", (20, 28), "Afdelingsleder", {"Håndværker": 1.0}),
            ("Rengøringsservice", (35, 45), "Afdelingsleder", {"Rengøringsassistent": 1.0}),
        ],
    ),
    (
        "Kultur og Borgerservice",
        "Fagchef",
        0.03,
        [
            ("Borgerservice", (12, 18), "Leder", {"Medarbejder": 1.0}),
            ("Hovedbiblioteket", (10, 14), "Leder", {"Bibliotekar": 0.7, "Medarbejder": 0.3}),
            ("Kulturhuset Påfuglen", (6, 10), "Leder", {"Medarbejder": 1.0}),
            ("Musikskolen", (10, 14), "Leder", {"Musikunderviser": 1.0}),
            ("Idrætscentret", (8, 12), "Leder", {"Medarbejder": 1.0}),
        ],
    ),
    (
        "Økonomi, IT og Personale",
        "Fagchef",
        0.15,
        [
            ("Økonomi", (10, 14), "Leder", {"Medarbejder": 1.0}),
            ("Løn og Personale", (8, 12), "Leder", {"Medarbejder": 1.0}),
            ("IT og Digitalisering", (10, 14), "Leder", {"IT-medarbejder": 1.0}),
            ("Indkøb", (5, 7), "Leder", {"Medarbejder": 1.0}),
        ],
    ),
]

# Typical hourly cost (DKK) by title; people get +-10 %.
COST = {
    "Direktør": 980.0,
    "Stabschef": 760.0,
    "Fagchef": 720.0,
    "Leder": 540.0,
    "Afdelingsleder": 520.0,
    "Skoleleder": 560.0,
    "Institutionsleder": 510.0,
    "Centerleder": 530.0,
    "Konsulent": 440.0,
    "Specialist": 460.0,
}
STAFF_COST = 360.0
SURVEYED = set(COST) - {"Direktør"}
N_TIES = 250
DEPUTY_FROM = 31  # units this large also have an afdelingsleder


def _write(rows: list[list[str]]) -> bytes:
    """Rows as Danish Excel saves "CSV UTF-8": BOM, ';', CRLF."""
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _money(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def make(seed: int = SEED) -> dict[str, bytes]:
    """The example organisation's files: name -> bytes."""
    rng = np.random.default_rng(seed)
    people: list[dict[str, str]] = []

    def add(dept: str, unit: str, title: str, specialty: str = "") -> None:
        cost = COST.get(title, STAFF_COST) * rng.uniform(0.9, 1.1)
        people.append(
            {
                "department": dept,
                "unit": unit,
                "role": title,
                "specialty": specialty,
                # Some rows come without a cost: the scenario's cost of the role is used.
                "hourly_cost_dkk": "" if rng.random() < 0.08 else _money(cost),
            }
        )

    for d, (dept, head, spec_share, units) in enumerate(DEPARTMENTS):
        if d == 0:
            for _ in range(4):
                add(dept, "Direktionen", "Direktør")
        add(dept, "Ledelse", head)
        for unit, (lo, hi), leader, staff in units:
            size = int(rng.integers(lo, hi + 1))
            add(dept, unit, leader)
            if size >= DEPUTY_FROM:
                add(dept, unit, "Afdelingsleder")
                size -= 1
            titles, weights = list(staff), np.array(list(staff.values()))
            for _ in range(size - 1):
                if rng.random() < spec_share:
                    title = "Konsulent" if rng.random() < 0.7 else "Specialist"
                    add(dept, unit, title, SPECIALTIES[int(rng.integers(len(SPECIALTIES)))])
                else:
                    add(dept, unit, titles[int(rng.choice(len(titles), p=weights / weights.sum()))])

    ids = np.sort(rng.choice(np.arange(10000, 99999), size=len(people), replace=False))
    for person, emp in zip(people, ids, strict=True):
        person["id"] = str(emp)
    columns = ["id", "department", "unit", "role", "specialty", "hourly_cost_dkk"]
    employees = [columns, *([p[c] for c in columns] for p in people)]

    # Known ties: a survey asked heads, leaders and specialists whom they work with in other
    # departments.
    dept_of = [p["department"] for p in people]
    asked = [k for k, p in enumerate(people) if p["role"] in SURVEYED]
    seen: set[tuple[int, int]] = set()
    ties = [["a", "b", "strength"]]
    while len(ties) <= N_TIES:
        a, b = (int(x) for x in rng.choice(asked, size=2, replace=False))
        if dept_of[a] == dept_of[b] or (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        strength = "" if rng.random() < 0.15 else f"{rng.uniform(0.2, 0.9):.1f}".replace(".", ",")
        ties.append([people[a]["id"], people[b]["id"], strength])

    # The project leaders' network: the project management and digitalisation specialists,
    # and a few others who asked to join.
    members = [
        k for k, p in enumerate(people) if p["specialty"] in ("projektledelse", "digitalisering")
    ]
    listed = set(members)
    others = [k for k, p in enumerate(people) if k not in listed and p["role"] != "Direktør"]
    members += [int(k) for k in rng.choice(others, size=12, replace=False)]
    network = [["employee_id", "afdeling"]]
    network += [[people[k]["id"], people[k]["department"]] for k in sorted(members)]

    return {
        f"{PREFIX}_ansatte.csv": _write(employees),
        f"{PREFIX}_relationer.csv": _write(ties),
        f"{PREFIX}_projektledernetvaerk.csv": _write(network),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"directory (default {OUT})")
    parser.add_argument("--seed", type=int, default=SEED, help=f"seed (default {SEED})")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in make(args.seed).items():
        (args.out / name).write_bytes(data)
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
