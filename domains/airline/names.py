"""Given and family names for generated customers and passengers."""

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Mateo", "Isabella", "Lucas",
    "Mia", "Ethan", "Amelia", "Aiden", "Harper", "James", "Evelyn", "Benjamin", "Abigail", "Daniel",
    "Camila", "Henry", "Aaliyah", "Samuel", "Priya", "Omar", "Yuki", "Chen", "Fatima", "Diego",
    "Nadia", "Kwame", "Ingrid", "Rafael", "Leila", "Tomasz", "Anika", "Malik", "Sofia", "Hiroshi",
    "Zara", "Gabriel", "Chloe", "Arjun", "Grace", "Mohammed", "Hannah", "Luis", "Ruth", "Jamal",
    "Elena", "Victor", "Maya", "Isaac", "Naomi", "Andre", "Ines", "Kofi", "Lucia", "Sanjay",
    "Freya", "Marcus", "Keiko", "Pablo", "Esther", "Dmitri", "Amara", "Felix", "Rosa", "Tariq",
    "Vivian", "Hugo", "Leah", "Bilal", "Clara", "Jonah", "Mei", "Ezra", "Nora", "Santiago",
]
LAST_NAMES = [
    "Smith", "Johnson", "Garcia", "Nguyen", "Patel", "Kim", "Brown", "Martinez", "Lopez", "Wilson",
    "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King",
    "Wright", "Scott", "Torres", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Okafor", "Yamamoto", "Kowalski", "Haddad",
    "Silva", "Novak", "Ibrahim", "Larsen", "Moreau", "Rossi", "Chowdhury", "Mensah", "Schmidt",
    "Dubois", "Ivanova", "Tanaka", "Ortiz", "Reyes", "Cohen", "Bianchi", "Sato", "Popescu", "Ali",
    "Fischer", "Murphy", "O'Brien", "Costa", "Jensen", "Hughes", "Park", "Singh", "Wang", "Zhou",
]
