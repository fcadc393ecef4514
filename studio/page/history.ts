/** Undo/redo over snapshots of the graph (JSON text; graphs are small). */
export class UndoStack {
  private past: string[] = [];
  private future: string[] = [];

  constructor(private current: string) {}

  /** Records a new state; a state equal to the current one is not a step. */
  push(state: string): void {
    if (state === this.current) return;
    this.past.push(this.current);
    if (this.past.length > 200) this.past.shift();
    this.current = state;
    this.future = [];
  }

  undo(): string | null {
    const s = this.past.pop();
    if (s === undefined) return null;
    this.future.push(this.current);
    this.current = s;
    return s;
  }

  redo(): string | null {
    const s = this.future.pop();
    if (s === undefined) return null;
    this.past.push(this.current);
    this.current = s;
    return s;
  }

  get canUndo(): boolean { return this.past.length > 0; }
  get canRedo(): boolean { return this.future.length > 0; }
}
