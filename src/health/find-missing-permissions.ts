import { requiredPermissions, type TokenDebugInfo } from '../whatsapp/graph/index.ts';

/**
 * The permissions Coxcox needs that a token lacks, by name. A WhatsApp permission granted only for other
 * WABAs (its `target_ids` leave this one out) counts as missing for this one.
 */
export function findMissingPermissions(info: TokenDebugInfo, wabaId: string | null): string[] {
  return requiredPermissions.filter((permission) => {
    if (!info.scopes.includes(permission)) return true;
    if (wabaId === null || permission === 'business_management') return false;
    const granted = info.granularScopes.find((scope) => scope.scope === permission);
    return granted?.targetIds != null && !granted.targetIds.includes(wabaId);
  });
}

/** What debug_token's error says, in a few words (190/463: expired; 190/460, 467: invalidated). */
export function describeTokenError(info: TokenDebugInfo): string {
  if (info.error?.subcode === 463) return 'the token expired';
  if (info.error?.subcode === 460 || info.error?.subcode === 467)
    return 'the token was invalidated (a password change or a removed app)';
  return info.error?.message ?? 'Meta does not accept the token';
}
