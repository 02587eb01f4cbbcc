/**
 * The agent's text. Plain text for now (paragraphs and line breaks kept, nothing interpreted as
 * HTML): a stand-in with the same props for a markdown renderer (react-markdown) once it is a
 * dependency.
 */
export function AgentText({ text }: { text: string }) {
  const paragraphs = text.split(/\n{2,}/).filter((p) => p.trim() !== '');
  return (
    <div className="agent-text">
      {paragraphs.map((p, i) => (
        <p key={i}>{p}</p>
      ))}
    </div>
  );
}
