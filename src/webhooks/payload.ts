// A delivery's body, in the old system's shape that its consumers read (`buisness_file_id` is
// its spelling, kept; `business_file_id` beside it), and the Standard Webhooks headers.
import { signature } from './signing.js';

export interface DbDeliveryEvent {
  position: number | string;
  business_file_id: number | string;
  object_zname: string;
  object_zid: number | string;
  object_action: string;
  user_id: number | string | null;
  object_changes: string;
  object_data: string;
}

/** The JSON body; the stored changes and data are already JSON, spliced in as they are. */
export function deliveryBody(e: DbDeliveryEvent): string {
  const bf = Number(e.business_file_id);
  return (
    `{"object_action":${JSON.stringify(e.object_action)},"object_zname":${JSON.stringify(e.object_zname)},"object_zid":${Number(e.object_zid)},` +
    `"buisness_file_id":${bf},"business_file_id":${bf},"user_id":${e.user_id === null ? 'null' : Number(e.user_id)},` +
    `"object_changes":${e.object_changes},"object_data":${e.object_data},"event_id":${Number(e.position)}}`
  );
}

export function deliveryHeaders(secret: string, eventId: number, body: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  const id = String(eventId);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature(secret, id, timestamp, body),
  };
}
