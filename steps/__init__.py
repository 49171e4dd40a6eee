"""distilabel steps: one per stage of the method (contexts, generation, checks, review, recombination,
interplay, verification)."""
