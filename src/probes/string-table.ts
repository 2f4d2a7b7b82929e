/**
 * A few distinct strings (error codes, regions) numbered in the order first seen, so a
 * column of them can be a typed array of indexes. Index 0 is always ''.
 */
export class StringTable {
  private values: string[] = [''];
  private indexOf = new Map<string, number>([['', 0]]);

  /** The index of `text`, numbering it when new. */
  intern(text: string): number {
    if (text === '') return 0;
    let index = this.indexOf.get(text);
    if (index === undefined) {
      index = this.values.length;
      this.values.push(text);
      this.indexOf.set(text, index);
    }
    return index;
  }

  at(index: number): string {
    return this.values[index];
  }

  get size(): number {
    return this.values.length;
  }

  /** The strings by index, handed over (a fresh table begins): for a batch that carries its own table. */
  take(): string[] {
    const values = this.values;
    this.clear();
    return values;
  }

  clear(): void {
    this.values = [''];
    this.indexOf = new Map([['', 0]]);
  }
}
