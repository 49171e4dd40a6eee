"""builder: verified multi-turn tool-use conversations (APIGen-MT), published to the Hub."""

__version__ = "0.1.0"
