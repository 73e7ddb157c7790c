import { AppLink } from '../../components/app-link.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { useLocation } from '../../lib/router.ts';
import { EvaluationsPanel } from './evaluations-panel.tsx';
import { KnowledgePanel } from './knowledge-panel.tsx';
import { ModelSettingsPanel } from './model-settings-panel.tsx';
import { Playground } from './playground.tsx';
import { ProfileEditor } from './profile-editor.tsx';

const TABS = [
  { href: '/agent', label: 'Profile', Panel: ProfileEditor },
  { href: '/agent/knowledge', label: 'Knowledge', Panel: KnowledgePanel },
  { href: '/agent/model', label: 'Model', Panel: ModelSettingsPanel },
  { href: '/agent/playground', label: 'Playground', Panel: Playground },
  { href: '/agent/evaluations', label: 'Evaluations', Panel: EvaluationsPanel },
];

/** The AI agent: its profile, knowledge, model, a playground to talk to it, and its evaluation results. */
export function AgentScreen() {
  const { path } = useLocation();
  const tab = TABS.find((candidate) => candidate.href === path) ?? TABS[0]!;
  return (
    <div className="page">
      <PageHeader
        title="Agent"
        description="The AI sales agent that answers your customers: who it is, what it knows, and which model it runs on."
      />
      <nav className="tabs" aria-label="Agent">
        {TABS.map((candidate) => (
          <AppLink
            key={candidate.href}
            href={candidate.href}
            aria-current={candidate === tab ? 'page' : undefined}
          >
            {candidate.label}
          </AppLink>
        ))}
      </nav>
      <tab.Panel />
    </div>
  );
}
