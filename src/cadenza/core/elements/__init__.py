"""BPMN behaviour of the engine: element lifecycle, activations, subscriptions, variables."""
