"""The district's people: who the caller is (the directory of schools, people and groups
grows here)."""
