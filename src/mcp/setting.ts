/** The setting's name, on its own so the activation bundle can read the setting without the entry parser. */
export const MCP_SETTING = 'oauthAccounts.mcpServers';
