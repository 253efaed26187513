export const root: string;
export interface PublicPackage {
  dir: string;
  name: string;
  pkg: Record<string, unknown>;
}
export function publicPackages(): PublicPackage[];
export function pnpmCommand(): [string, string[]];
export function packAll(dest: string, dirs?: string[]): { name: string; dir: string; tarball: string }[];
