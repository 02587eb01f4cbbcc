/**
 * The agent's text as markdown (react-markdown: no raw HTML is rendered — a model's text cannot
 * inject markup or script — and links open in a new tab without the page's referrer).
 */
import Markdown, { type Components } from 'react-markdown';

const COMPONENTS: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  ),
};

export function AgentText({ text }: { text: string }) {
  return (
    <div className="agent-text">
      <Markdown components={COMPONENTS} skipHtml>
        {text}
      </Markdown>
    </div>
  );
}
