import type { AppError } from '@crm/errors';
import { fold, type Decider } from '@crm/eventstore';

/**
 * Given/when/then over one decision of an aggregate, for the decisions' unit specs:
 * `givenHistory(decider, decide)(...history).when(command)` → the events decided on the folded history, or
 * `.refuses(command)` → the AppError thrown; `.state` is the folded state.
 */
export function givenHistory<Command, State, Event>(
  decider: Pick<Decider<unknown, State, Event>, 'initialState' | 'evolve'>,
  decide: (command: Command, state: State) => Event[],
) {
  return (...history: Event[]) => {
    const state = fold(decider, history);
    return {
      state,
      when: (command: Command) => decide(command, state),
      refuses: (command: Command): AppError => {
        try {
          decide(command, state);
        } catch (error) {
          return error as AppError;
        }
        throw new Error('expected the command to be refused');
      },
    };
  };
}
