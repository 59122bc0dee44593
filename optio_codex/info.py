"""Who this engine is, for optio-agents-all's catalogue (``AGENTS["codex"]``)."""

from optio_agents.agent_info import AgentInfo

# slug equals the configs' agent_type; the name and page are OpenAI Codex's own.
AGENT_INFO = AgentInfo(slug="codex", name="Codex", url="https://openai.com/codex")
