/** The server binding the plain-Node session tests store under (see src/sessions/serverBinding.ts). */
import type { ServerBinding } from '../../src/sessions/serverBinding';

export const TEST_BINDING: ServerBinding = { issuer: 'https://idp.example', endpoints: {}, clientId: 'test-client' };
