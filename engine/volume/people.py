"""Invented people for generated cases: children, their parents and the staff of generated
organisations — common German first names and surnames (and the names of families who came from
elsewhere, as in any Jugendamt's caseload), drawn from a seeded random generator, so the same seed
gives the same children. No real person is meant.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


def _words(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(text.split(separator))


GIRLS = _words(
    "Mia Emma Hannah Sofia Emilia Lina Marie Lea Mila Clara Leonie Ella Lena Anna Luisa Frieda Ida Lia "
    "Amelie Johanna Emily Maja Nele Sophie Charlotte Greta Mathilda Lara Laura Paula Pia Zoe Elif Zeynep "
    "Ayla Melina Jana Lotta Helena Marlene Victoria Romy Fiona Carla Elisa Malia Alina Sarah Julia Nora "
    "Ronja Aylin Defne Natalia Zofia Amira Yara Layla Hira Anastasia Alessia Chiara Selin Ela Merle Finja "
    "Tessa Liv Svenja Jule Jolina Annika Katharina Antonia Josephine Theresa Magdalena Elena Isabel "
    "Milena Noemi Smilla"
)
BOYS = _words(
    "Noah Leon Paul Ben Finn Elias Felix Henry Luis Jonas Emil Luca Theo Matteo Anton Lukas Liam "
    "Maximilian Oskar Jakob Leo Moritz David Niklas Julian Tim Jan Tom Erik Vincent Karl Samuel Mats Ole "
    "Fabian Levi Mohammed Ali Yusuf Emir Mustafa Can Deniz Arda Omar Adam Jakub Filip Mateo Milan Nikola "
    "Ilias Aras Kerem Hamza Ibrahim Malik Noel Rafael Valentin Johannes Simon Florian Benedikt Lennard "
    "Marlon Mika Nils Piet Jannik Kilian Till Hannes Joshua Damian Aaron Philipp Constantin Frederik "
    "Bennet Milo"
)
SURNAMES = _words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer "
    "Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt "
    "Werner Schmitz Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber "
    "Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank "
    "Berger Winkler Roth Beck Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus "
    "Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber "
    "Graf Schulte Dietrich Ziegler Kuhn Kühn Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold "
    "Wolff Pfeiffer Janssen Hendricks Verhoeven Derksen Gerritzen Terhorst Tenhaef Kersting Brüggemann "
    "Lammers Wissing Hüsken Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Arslan Doğan Kowalski Nowak "
    "Wiśniewski Lewandowski Kamiński Popescu Ionescu Petrović Jovanović Hodžić Rossi Russo Esposito "
    "Ferreira Haddad Khalil Nasser Ahmadi Hosseini Rahimi Ivanov Smirnov Schmidt-Kaya Meyer-Lüdenscheidt "
    "Große Lindner Straßburger"
)
STREETS = _words(
    "Hauptstraße, Schulstraße, Gartenstraße, Bahnhofstraße, Dorfstraße, Bergstraße, Kirchstraße, "
    "Lindenstraße, Am Markt, Ringstraße, Mühlenweg, Waldstraße, Rosenweg, Birkenweg, Feldstraße, "
    "Poststraße, Kastanienallee, Am Sportplatz, Jahnstraße, Goethestraße, Schillerstraße, Lessingstraße, "
    "Parkstraße, Wiesenweg, Amselweg, Drosselweg, Ahornweg, Eichendorffstraße, Uferstraße, Brückenstraße, "
    "Kolpingstraße",
    ", ",
)
RELATIONS = ("Mutter", "Vater", "Mutter", "Vater", "Großmutter", "Vormund")


@dataclass(frozen=True)
class Person:
    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"


def person(rng: random.Random) -> Person:
    return Person(rng.choice(GIRLS + BOYS), rng.choice(SURNAMES))


def telephone(rng: random.Random) -> str:
    return f"02{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}-{rng.randint(10, 99)}"


def child(rng: random.Random, municipality: str, opened: date) -> dict[str, Any]:
    """A child under 18 on the day its case opens, living in `municipality` (which routes the case),
    with an address most of the time and one or two custodians."""
    girl = rng.random() < 0.5
    surname = rng.choice(SURNAMES)
    born = opened - timedelta(days=rng.randint(60, 17 * 365 + 300))
    kid: dict[str, Any] = {
        "vorname": rng.choice(GIRLS if girl else BOYS),
        "nachname": surname,
        "geburtsdatum": born.isoformat(),
        "wohnort_gemeinde": municipality,
        "geschlecht": "weiblich" if girl else "maennlich",
    }
    if rng.random() < 0.85:
        street = rng.choice(STREETS)
        kid["anschrift"] = {"strasse": f"{street} {rng.randint(1, 120)}", "plz": f"4{rng.randint(0, 9999):04d}"}
        kid["anschrift"]["ort"] = municipality
    parents = [
        {"name": f"{rng.choice(GIRLS if i == 0 else BOYS)} {surname}", "beziehung": RELATIONS[i], "sorgerecht": True}
        for i in range(rng.choice((1, 2, 2)))
    ]
    kid["sorgeberechtigte"] = parents
    return kid
