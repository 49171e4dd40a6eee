"""Dataset cards and model cards: the run's facts rendered into the templates in `dataset_cards/`."""
