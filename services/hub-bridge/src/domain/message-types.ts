/**
 * The message types of Hub Santé: the root key of the content inside `message`, the official
 * schema file that validates it, and whether the RC-DE header must sit beside it. Taken from the
 * `oneOf` of `EDXL-DE-full.schema.json`, which is the dispatcher's own list.
 */
export const MESSAGE_TYPES = [
  { type: 'RS-EDA', rootKey: 'createCaseHealth', schema: 'RS-EDA.schema.json', header: true },
  { type: 'RS-EDA-MAJ', rootKey: 'createCaseHealthUpdate', schema: 'RS-EDA-MAJ.schema.json', header: true },
  { type: 'RC-EDA', rootKey: 'createCase', schema: 'RC-EDA.schema.json', header: true },
  { type: 'RC-REF', rootKey: 'reference', schema: 'RC-REF.schema.json', header: true },
  { type: 'EMSI', rootKey: 'emsi', schema: 'EMSI.schema.json', header: true },
  { type: 'RS-RI', rootKey: 'resourcesInfo', schema: 'RS-RI.schema.json', header: true },
  { type: 'RC-RI', rootKey: 'resourcesInfoCisu', schema: 'RC-RI.schema.json', header: true },
  { type: 'RS-ER', rootKey: 'resourcesEngagement', schema: 'RS-ER.schema.json', header: true },
  { type: 'RS-SR', rootKey: 'resourcesStatus', schema: 'RS-SR.schema.json', header: true },
  { type: 'RS-DR', rootKey: 'resourcesRequest', schema: 'RS-DR.schema.json', header: true },
  { type: 'RS-RR', rootKey: 'resourcesResponse', schema: 'RS-RR.schema.json', header: true },
  { type: 'RS-RPIS', rootKey: 'rpis', schema: 'RS-RPIS.schema.json', header: true },
  { type: 'RS-BPV', rootKey: 'interventionReport', schema: 'RS-BPV.schema.json', header: true },
  { type: 'RS-URL', rootKey: 'documentLink', schema: 'RS-URL.schema.json', header: true },
  { type: 'GEO-POS', rootKey: 'geoPositionsUpdate', schema: 'GEO-POS.schema.json', header: true },
  { type: 'GEO-REQ', rootKey: 'geoResourcesRequest', schema: 'GEO-REQ.schema.json', header: true },
  { type: 'GEO-RES', rootKey: 'geoResourcesDetails', schema: 'GEO-RES.schema.json', header: true },
  { type: 'RS-SAS-RDV', rootKey: 'appointment', schema: 'RS-SAS-RDV.schema.json', header: true },
  { type: 'TECHNICAL', rootKey: 'technical', schema: 'TECHNICAL.schema.json', header: true },
  {
    type: 'TECHNICAL_NOREQ',
    rootKey: 'technicalNoreq',
    schema: 'TECHNICAL_NOREQ.schema.json',
    header: false,
  },
  { type: 'RS-ERROR', rootKey: 'error', schema: 'RS-ERROR.schema.json', header: false },
  { type: 'customContent', rootKey: 'customContent', schema: 'customContent.schema.json', header: false },
] as const;

export type MessageTypeInfo = (typeof MESSAGE_TYPES)[number];
export type MessageType = MessageTypeInfo['type'];

export const MESSAGE_TYPE_NAMES = MESSAGE_TYPES.map((t) => t.type) as [MessageType, ...MessageType[]];

/** The RC-DE header fields that sit beside the content root key inside `message`. */
export const HEADER_KEYS = ['messageId', 'sender', 'sentAt', 'kind', 'status', 'recipient'] as const;

export function typeByName(type: string): MessageTypeInfo | undefined {
  return MESSAGE_TYPES.find((t) => t.type === type);
}

/** The type of a `message` object, from the one content root key it carries. */
export function typeOfMessage(message: Record<string, unknown>): MessageTypeInfo | undefined {
  return MESSAGE_TYPES.find((t) => t.rootKey in message);
}

/** The type of a bare content (`{ "createCaseHealth": {...} }`), from its root key. */
export function typeOfContent(content: Record<string, unknown>): MessageTypeInfo | undefined {
  const keys = Object.keys(content);
  if (keys.length !== 1) return undefined;
  return MESSAGE_TYPES.find((t) => t.rootKey === keys[0]);
}
