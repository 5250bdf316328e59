// `node --require @leakhound/agent/register` / `--import @leakhound/agent/register`:
// starts the agent configured from LEAKHOUND_* environment variables.
export {};
