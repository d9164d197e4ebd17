/**
 * Domain logic as two pure functions, so it is tested without servers: `decide` turns a command and the current
 * state into new events (or throws a domain error), `evolve` folds one event into the state. No I/O, no clock, no
 * ids inside: whatever they need is in the command.
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export function fold<State, Event>(decider: Pick<Decider<unknown, State, Event>, 'evolve' | 'initialState'>, events: readonly Event[]): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}
