/**
 * Compile-time checks only (nothing imports this at run time): the flows the builds ship (flows/node.ts,
 * flows/web.ts) are exactly the FlowIds, and the forcible ones are exactly the `flow` setting's values besides `auto`
 * (protocol/config.ts), so the setting, its schema and the builds cannot drift apart.
 */
import type { FlowSetting } from '../protocol/config';
import type { FlowId } from './flow';
import type { NODE_FLOWS } from './node';
import type { WEB_FLOWS } from './web';

type Shipped = (typeof NODE_FLOWS)[number] | (typeof WEB_FLOWS)[number];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

export const SHIPPED_FLOWS_ARE_THE_FLOW_IDS: Same<Shipped['id'], FlowId> = true;
export const FORCIBLE_FLOWS_ARE_THE_SETTING: Same<
  Extract<Shipped, { readonly forcible: true }>['id'],
  Exclude<FlowSetting, 'auto'>
> = true;
