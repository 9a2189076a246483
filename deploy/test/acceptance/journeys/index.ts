import type { Journey } from '../journey.ts';

/** Every demo journey, in the order a newcomer would walk them. */
export const journeys: Journey[] = [];
