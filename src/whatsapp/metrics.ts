/** Counters in Prometheus' text format, kept in memory per process. */
export class Metrics {
  private readonly counters = new Map<string, { help: string; values: Map<string, number> }>();

  increment(name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    let counter = this.counters.get(name);
    if (!counter) {
      counter = { help, values: new Map() };
      this.counters.set(name, counter);
    }
    const key = Object.entries(labels)
      .map(([label, value]) => `${label}="${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`)
      .join(',');
    counter.values.set(key, (counter.values.get(key) ?? 0) + by);
  }

  value(name: string, labels: Record<string, string> = {}): number {
    const key = Object.entries(labels)
      .map(([label, value]) => `${label}="${value}"`)
      .join(',');
    return this.counters.get(name)?.values.get(key) ?? 0;
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, counter] of this.counters) {
      lines.push(`# HELP ${name} ${counter.help}`, `# TYPE ${name} counter`);
      for (const [labels, value] of counter.values)
        lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}
