import { idProblem, labelValueProblem } from '../domain/ids.js';
import { badUserInput } from '../schema/inputErrors.js';

/** Refuses a malformed ID before any store call, naming the argument and the value. */
export function requireId(argument: string, id: string): string {
  const problem = idProblem(id);
  if (problem) throw badUserInput(`${argument} ${JSON.stringify(id)} is not a valid ID: ${problem}`);
  return id;
}

/** Refuses a value that cannot be stored as a Kubernetes label value, naming the argument and the value. */
export function requireLabelValue(argument: string, value: string): string {
  const problem = labelValueProblem(value);
  if (problem) throw badUserInput(`${argument} ${JSON.stringify(value)} is not a valid label value: ${problem}`);
  return value;
}
