"""The critic's parts: deterministic checks a script supervisor would make, the scoring that
turns their measurements into dimension scores, the LLM judge and frame measurements.

`reelwright.critic.agent.Critic` runs them for one iteration of the loop.
"""
