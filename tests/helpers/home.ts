import type { Database } from '@westwallet/shared';
import type { TestUser } from './clients.ts';

/** Home fixtures (vehicles, properties), created through the Data API as the app creates them. */

export type Vehicle = Database['public']['Tables']['vehicles']['Row'];
export type Property = Database['public']['Tables']['properties']['Row'];

/** A Volvo V60 plug-in hybrid unless `fields` say otherwise. */
export async function addVehicle(
  user: TestUser,
  orgId: string,
  fields: Partial<Database['public']['Tables']['vehicles']['Insert']> = {},
): Promise<Vehicle> {
  const { data, error } = await user.client
    .from('vehicles')
    .insert({ org_id: orgId, make: 'Volvo', model: 'V60', fuel: 'plug_in_hybrid', ...fields })
    .select()
    .single();
  if (error) throw new Error(`vehicle insert failed: ${error.code} ${error.message}`);
  return data;
}

/** A house called `name`. */
export async function addProperty(user: TestUser, orgId: string, name: string): Promise<Property> {
  const { data, error } = await user.client
    .from('properties')
    .insert({ org_id: orgId, kind: 'house', name })
    .select()
    .single();
  if (error) throw new Error(`property insert failed: ${error.code} ${error.message}`);
  return data;
}

export type VehicleEventInput = {
  kind: 'fuel' | 'charging' | 'service' | 'parking' | 'toll' | 'tyres';
  occurred_on: string;
  odometer_km?: number | null;
  amount_minor?: number;
  currency?: string;
  fx_rate?: number;
  litres?: number;
  kwh?: number;
};

/** Logs an event of a vehicle (in SEK unless given a currency); answers as the Data API does, error included. */
export function addVehicleEvent(user: TestUser, orgId: string, vehicleId: string, event: VehicleEventInput) {
  return user.client
    .from('vehicle_events')
    .insert({ org_id: orgId, vehicle_id: vehicleId, currency: 'SEK', ...event })
    .select()
    .single();
}
