"""The demo customers' names, by country, and the statuses their profiles have."""

import unicodedata

# Country -> (first names, last names) of the demo customers.
PEOPLE = {
    "GB": (
        [
            "Oliver",
            "Amelia",
            "Harry",
            "Isla",
            "George",
            "Ava",
            "Noah",
            "Mia",
            "Jack",
            "Lily",
            "Priya",
            "Mohammed",
        ],
        [
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Williams",
            "Wilson",
            "Evans",
            "Patel",
            "Khan",
            "Walker",
        ],
    ),
    "BR": (
        [
            "Miguel",
            "Helena",
            "Arthur",
            "Alice",
            "Heitor",
            "Laura",
            "Davi",
            "Valentina",
            "Gabriel",
            "Sophia",
        ],
        [
            "Silva",
            "Santos",
            "Oliveira",
            "Souza",
            "Rodrigues",
            "Ferreira",
            "Alves",
            "Pereira",
            "Lima",
            "Gomes",
        ],
    ),
    "US": (
        [
            "Liam",
            "Olivia",
            "James",
            "Emma",
            "Lucas",
            "Charlotte",
            "Mateo",
            "Sofia",
            "Ethan",
            "Harper",
        ],
        [
            "Johnson",
            "Garcia",
            "Miller",
            "Davis",
            "Martinez",
            "Anderson",
            "Thomas",
            "Moore",
            "Jackson",
            "Lee",
        ],
    ),
    "DE": (
        ["Noah", "Emilia", "Leon", "Hannah", "Paul", "Emma", "Finn", "Mia", "Elias", "Lina"],
        [
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Hoffmann",
            "Schulz",
        ],
    ),
    "IN": (
        [
            "Aarav",
            "Saanvi",
            "Vivaan",
            "Ananya",
            "Aditya",
            "Diya",
            "Arjun",
            "Isha",
            "Reyansh",
            "Kavya",
        ],
        ["Sharma", "Verma", "Gupta", "Reddy", "Iyer", "Nair", "Das", "Singh", "Mehta", "Rao"],
    ),
    "MX": (
        [
            "Santiago",
            "Ximena",
            "Sebastián",
            "Valeria",
            "Diego",
            "Regina",
            "Emiliano",
            "Camila",
            "Leonardo",
            "Renata",
        ],
        [
            "Hernández",
            "García",
            "Martínez",
            "López",
            "González",
            "Pérez",
            "Sánchez",
            "Ramírez",
            "Cruz",
            "Flores",
        ],
    ),
}
# A profile's status: mostly active, some suspended, some never set.
STATUSES = ["active"] * 8 + ["suspended", None]


def ascii_fold(text: str) -> str:
    """The name as an email address can spell it: accents dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
