import { BehaviorSubject, type Observable } from 'rxjs';
import { uiReducer, type UiState, type UiUpdate } from './ui-state.js';

/**
 * Holds the UI state outside React so actions can read the state they just wrote (async actions
 * span several updates); components read it with `useObservable(store.state$)`.
 */
export class UiStore {
  readonly state$: Observable<UiState>;
  private readonly subject: BehaviorSubject<UiState>;

  constructor(initial: UiState) {
    this.subject = new BehaviorSubject(initial);
    this.state$ = this.subject.asObservable();
  }

  get value(): UiState {
    return this.subject.value;
  }

  update = (change: UiUpdate): void => {
    this.subject.next(uiReducer(this.subject.value, change));
  };
}
