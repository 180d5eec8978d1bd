"""Collections: named, ordered sets of library clips ("Wait time, grades 3-5") that a
teacher leader or a PLC curates and shares with people and groups."""
