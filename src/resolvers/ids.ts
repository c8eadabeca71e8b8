import { idProblem } from '../domain/ids.js';
import { badUserInput } from '../schema/inputErrors.js';

/** Refuses a malformed ID before any store call, naming the argument and the value. */
export function requireId(argument: string, id: string): string {
  const problem = idProblem(id);
  if (problem) throw badUserInput(`${argument} ${JSON.stringify(id)} is not a valid ID: ${problem}`);
  return id;
}
