"""The prompts every role receives. Each embeds its structured context for the simulator."""
