"""The LLM engine's parts: grid text, prompts, answers, reconciliation, client, budget, cache."""
