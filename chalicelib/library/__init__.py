"""The district library of practice examples: approved clips, browsable and searchable."""
