import { LOOKUP_LUA } from '../decision-log/redis-scripts.js'
import { RECORD_ENTITY_LUA } from '../velocity/record-script.js'

/**
 * The one Redis call of a charge on a standalone Redis: reserve the charge id in the decision
 * log (rg_log_reserve, src/decision-log/redis-scripts.ts) and, only when it was reserved now,
 * count the charge in every velocity entity (record_velocity_entity, src/velocity/record-script.ts).
 * A retry of a charge that is recorded or being decided counts nothing.
 *
 * KEYS  the partition's index, stream and outcomes, then every entity's keys, entity after entity
 * ARGV  field, the reservation (reservationValue), now ms (the charge's time, velocity's too),
 *       then what pushEntityCalls gives: the cap of a distinct series, the number of entities,
 *       every entity's arguments, entity after entity
 *
 * Returns the lookup of rg_log_lookup when the charge was recorded or reserved already, else
 * {0, <entity 1 values...>, <entity 2 values...>, ...}: one flat list (each entity's values as
 * record_velocity_entity returns them).
 */
export const SCORE_SCRIPT = `${LOOKUP_LUA}
${RECORD_ENTITY_LUA}
local found = rg_log_reserve(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3])
if found[1] ~= 0 then return found end
return record_velocity_entities(KEYS, ARGV, 4, 5, ARGV[3], ARGV[4], {0})
`
