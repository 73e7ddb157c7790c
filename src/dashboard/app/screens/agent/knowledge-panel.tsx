import { type FormEvent, useState } from 'react';
import { Field } from '../../components/field.tsx';
import { Icon } from '../../components/icon.tsx';
import { EmptyState, ErrorState, LoadingState } from '../../components/states.tsx';
import { api, apiRequest, errorMessage, query } from '../../lib/api.ts';
import { formatDateTime, formatNumber } from '../../lib/format.ts';
import { useIsAdmin } from '../../lib/session.ts';
import { useToast } from '../../lib/toasts.tsx';
import { useResource } from '../../lib/use-resource.ts';

interface KnowledgeDocument {
  id: string;
  title: string;
  contentType: string;
  mediaUrl: string | null;
  mediaKind: string | null;
  chunkCount: number;
  characters: number;
  createdAt: string;
}

interface SearchHit {
  documentId?: string;
  title?: string;
  text?: string;
  content?: string;
  score?: number;
}

/**
 * The knowledge base: the agent quotes prices and facts only from these documents. Upload Markdown or
 * text files, add a media asset it may send, and search the way the agent does.
 */
export function KnowledgePanel() {
  const isAdmin = useIsAdmin();
  const toast = useToast();
  const documents = useResource(() => api.get<{ data: KnowledgeDocument[] }>('/agent/knowledge'), []);
  const [isUploading, setIsUploading] = useState(false);
  const [mediaTitle, setMediaTitle] = useState('');
  const [mediaUrl, setMediaUrl] = useState('');
  const [mediaKind, setMediaKind] = useState('image');
  const [searchText, setSearchText] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);

  const upload = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setIsUploading(true);
    try {
      for (const file of Array.from(files)) {
        const name = file.name.toLowerCase();
        const isPdf = file.type === 'application/pdf' || name.endsWith('.pdf');
        const isPlain = name.endsWith('.txt');
        await apiRequest(
          'POST',
          `/agent/knowledge${query({ title: file.name.replace(/\.(md|markdown|txt|pdf)$/i, '') })}`,
          // A PDF goes as its bytes: the server reads its text.
          isPdf ? file : await file.text(),
          {
            headers: {
              'content-type': isPdf ? 'application/pdf' : isPlain ? 'text/plain' : 'text/markdown',
            },
          },
        );
      }
      toast('Added to the knowledge base');
      void documents.reload();
    } catch (error) {
      toast(errorMessage(error), 'error');
    } finally {
      setIsUploading(false);
    }
  };

  const addMedia = async (event: FormEvent) => {
    event.preventDefault();
    try {
      await api.post('/agent/knowledge', { title: mediaTitle, content: mediaTitle, mediaUrl, mediaKind });
      setMediaTitle('');
      setMediaUrl('');
      void documents.reload();
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  const remove = async (document: KnowledgeDocument) => {
    if (!window.confirm(`Remove “${document.title}” from the knowledge base?`)) return;
    try {
      await api.delete(`/agent/knowledge/${document.id}`);
      void documents.reload();
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (!searchText.trim()) return;
    try {
      setHits(
        (await api.get<{ data: SearchHit[] }>(`/agent/knowledge/search${query({ q: searchText })}`)).data,
      );
    } catch (error) {
      toast(errorMessage(error), 'error');
    }
  };

  return (
    <div className="stack">
      {isAdmin ? (
        <section className="card stack" aria-label="Upload">
          <h2>Add documents</h2>
          <p className="muted">
            Price lists, product sheets, FAQs, policies: Markdown, plain text or PDF. Each is split into
            passages and searched on every turn.
          </p>
          <label className="button primary" style={{ alignSelf: 'flex-start' }}>
            <Icon name="upload" size={16} /> {isUploading ? 'Uploading…' : 'Upload .md, .txt or .pdf files'}
            <input
              type="file"
              multiple
              accept=".md,.markdown,.txt,.pdf,text/markdown,text/plain,application/pdf"
              className="visually-hidden"
              onChange={(event) => {
                void upload(event.target.files);
                event.target.value = '';
              }}
            />
          </label>
          <form
            className="row wrap"
            onSubmit={(event) => void addMedia(event)}
            aria-label="Add a media asset"
          >
            <input
              className="input"
              style={{ flex: '1 1 160px' }}
              required
              aria-label="Media title"
              placeholder="Brochure (the agent may send it)"
              value={mediaTitle}
              onChange={(event) => setMediaTitle(event.target.value)}
            />
            <input
              className="input"
              style={{ flex: '2 1 220px' }}
              required
              type="url"
              aria-label="Media URL"
              placeholder="https://…/brochure.pdf"
              value={mediaUrl}
              onChange={(event) => setMediaUrl(event.target.value)}
            />
            <select
              className="input"
              style={{ width: 130 }}
              aria-label="Media kind"
              value={mediaKind}
              onChange={(event) => setMediaKind(event.target.value)}
            >
              <option value="image">Image</option>
              <option value="document">Document</option>
              <option value="video">Video</option>
              <option value="audio">Audio</option>
            </select>
            <button type="submit" className="button">
              Add media
            </button>
          </form>
        </section>
      ) : null}
      <section className="card flush" aria-label="Documents">
        {documents.isLoading ? (
          <div style={{ padding: 16 }}>
            <LoadingState rows={3} />
          </div>
        ) : documents.error && !documents.data ? (
          <ErrorState error={documents.error} onRetry={() => void documents.reload()} />
        ) : (documents.data?.data.length ?? 0) === 0 ? (
          <EmptyState icon="book" title="The knowledge base is empty">
            Without documents the agent does not quote prices or facts: it says it will check, and hands off
            when asked.
          </EmptyState>
        ) : (
          <div className="table-scroll">
            <table className="table">
              <thead>
                <tr>
                  <th>Title</th>
                  <th>Kind</th>
                  <th>Size</th>
                  <th>Added</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {documents.data?.data.map((document) => (
                  <tr key={document.id}>
                    <td>
                      <strong>{document.title}</strong>
                    </td>
                    <td>
                      {document.mediaKind ? (
                        <span className="badge info">{document.mediaKind}</span>
                      ) : (
                        <span className="badge">{document.contentType.replace('text/', '')}</span>
                      )}
                    </td>
                    <td className="small muted">
                      {formatNumber(document.characters)} characters · {document.chunkCount} passages
                    </td>
                    <td className="small muted">{formatDateTime(document.createdAt)}</td>
                    <td>
                      {isAdmin ? (
                        <button
                          type="button"
                          className="button small danger"
                          onClick={() => void remove(document)}
                        >
                          Remove
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card stack" aria-label="Search">
        <h2>Search as the agent does</h2>
        <form className="row" onSubmit={(event) => void search(event)}>
          <Field label="Question">
            <input
              className="input"
              value={searchText}
              onChange={(event) => setSearchText(event.target.value)}
              placeholder="How much is the premium plan?"
            />
          </Field>
          <button type="submit" className="button" style={{ alignSelf: 'flex-end' }}>
            <Icon name="search" size={16} /> Search
          </button>
        </form>
        {hits === null ? null : hits.length === 0 ? (
          <p className="muted">Nothing found: the agent would say it does not know.</p>
        ) : (
          <ol className="stack tight" style={{ margin: 0, paddingLeft: 18 }}>
            {hits.map((hit, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: results are ranked, in order.
              <li key={index}>
                <strong>{hit.title ?? 'Passage'}</strong>
                <div className="small" style={{ whiteSpace: 'pre-wrap' }}>
                  {(hit.text ?? hit.content ?? '').slice(0, 400)}
                </div>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
