"""The district's instructional framework: the elements feedback and clips are tagged with."""
