import type { ClassConstructor } from 'class-transformer';

/**
 * What an integration type declares about itself: the DTO its config is
 * validated against and which config fields hold secrets (encrypted at rest,
 * masked on every read). `headers.*` means every value of an object field.
 */
export interface IntegrationTypeSpec<C extends object = object> {
  type: string;
  description: string;
  configDto: ClassConstructor<C>;
  secretFields: readonly string[];
}
