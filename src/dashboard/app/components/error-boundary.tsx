import { Component, type ReactNode } from 'react';
import { ErrorState } from './states.tsx';

/**
 * A screen that throws while rendering (or a chunk that fails to load after a new release) shows an
 * error with a retry instead of a blank page.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null });
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="page">
          <ErrorState
            error={this.state.error}
            title="This screen failed"
            onRetry={() => window.location.reload()}
          />
        </div>
      );
    }
    return this.props.children;
  }
}
