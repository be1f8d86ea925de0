
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "change_log": {
                  Row: {
                    "actor": string | null,"at": string,"change_id": string | null,"changed_fields": (string)[],"client_id": string | null,"entity": string,"member_user_id": string | null,"new_values": Json | null,"old_values": Json | null,"op": string,"row_id": string,"seq": number,"trip_id": string,"version": number | null,"xid": unknown
                  }
                  ComputedFields: never
                  Insert: {
                    "actor"?: string | null,"at"?: string,"change_id"?: string | null,"changed_fields"?: (string)[],"client_id"?: string | null,"entity": string,"member_user_id"?: string | null,"new_values"?: Json | null,"old_values"?: Json | null,"op": string,"row_id": string,"seq"?: never,"trip_id": string,"version"?: number | null,"xid"?: unknown
                  }
                  Update: {
                    "actor"?: string | null,"at"?: string,"change_id"?: string | null,"changed_fields"?: (string)[],"client_id"?: string | null,"entity"?: string,"member_user_id"?: string | null,"new_values"?: Json | null,"old_values"?: Json | null,"op"?: string,"row_id"?: string,"seq"?: never,"trip_id"?: string,"version"?: number | null,"xid"?: unknown
                  }
                  Relationships: [
                    
                  ]
                },"items": {
                  Row: {
                    "category": string,"created_at": string,"created_by": string | null,"day": string | null,"deleted_at": string | null,"generated": Json | null,"id": string,"name": string,"notes": string,"packed": boolean,"person_id": string | null,"quantity": number,"rule_id": string | null,"trip_id": string,"updated_at": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "category"?: string,"created_at"?: string,"created_by"?: string | null,"day"?: string | null,"deleted_at"?: string | null,"generated"?: Json | null,"id"?: string,"name": string,"notes"?: string,"packed"?: boolean,"person_id"?: string | null,"quantity"?: number,"rule_id"?: string | null,"trip_id": string,"updated_at"?: string,"version"?: number
                  }
                  Update: {
                    "category"?: string,"created_at"?: string,"created_by"?: string | null,"day"?: string | null,"deleted_at"?: string | null,"generated"?: Json | null,"id"?: string,"name"?: string,"notes"?: string,"packed"?: boolean,"person_id"?: string | null,"quantity"?: number,"rule_id"?: string | null,"trip_id"?: string,"updated_at"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "items_person_fkey"
      columns: ["trip_id","person_id"]
isOneToOne: false
      referencedRelation: "people"
      referencedColumns: ["trip_id","id"]
    },{
      foreignKeyName: "items_trip_id_fkey"
      columns: ["trip_id"]
isOneToOne: false
      referencedRelation: "trips"
      referencedColumns: ["id"]
    }
                  ]
                },"people": {
                  Row: {
                    "created_at": string,"created_by": string | null,"deleted_at": string | null,"id": string,"kind": string,"name": string,"preferences": NonNullable<Json>,"trip_id": string,"updated_at": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"deleted_at"?: string | null,"id"?: string,"kind": string,"name": string,"preferences"?: NonNullable<Json>,"trip_id": string,"updated_at"?: string,"version"?: number
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"deleted_at"?: string | null,"id"?: string,"kind"?: string,"name"?: string,"preferences"?: NonNullable<Json>,"trip_id"?: string,"updated_at"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "people_trip_id_fkey"
      columns: ["trip_id"]
isOneToOne: false
      referencedRelation: "trips"
      referencedColumns: ["id"]
    }
                  ]
                },"rule_overrides": {
                  Row: {
                    "created_at": string,"created_by": string | null,"deleted_at": string | null,"disabled": boolean,"id": string,"person_id": string | null,"quantity": number | null,"rule_id": string,"trip_id": string,"updated_at": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"deleted_at"?: string | null,"disabled"?: boolean,"id"?: string,"person_id"?: string | null,"quantity"?: number | null,"rule_id": string,"trip_id": string,"updated_at"?: string,"version"?: number
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"deleted_at"?: string | null,"disabled"?: boolean,"id"?: string,"person_id"?: string | null,"quantity"?: number | null,"rule_id"?: string,"trip_id"?: string,"updated_at"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "rule_overrides_person_fkey"
      columns: ["trip_id","person_id"]
isOneToOne: false
      referencedRelation: "people"
      referencedColumns: ["trip_id","id"]
    },{
      foreignKeyName: "rule_overrides_trip_id_fkey"
      columns: ["trip_id"]
isOneToOne: false
      referencedRelation: "trips"
      referencedColumns: ["id"]
    }
                  ]
                },"trip_members": {
                  Row: {
                    "created_at": string,"created_by": string | null,"deleted_at": string | null,"email": string | null,"id": string,"role": string,"status": string,"trip_id": string,"updated_at": string,"user_id": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"deleted_at"?: string | null,"email"?: string | null,"id"?: string,"role": string,"status"?: string,"trip_id": string,"updated_at"?: string,"user_id": string,"version"?: number
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"deleted_at"?: string | null,"email"?: string | null,"id"?: string,"role"?: string,"status"?: string,"trip_id"?: string,"updated_at"?: string,"user_id"?: string,"version"?: number
                  }
                  Relationships: [
                    {
      foreignKeyName: "trip_members_trip_id_fkey"
      columns: ["trip_id"]
isOneToOne: false
      referencedRelation: "trips"
      referencedColumns: ["id"]
    }
                  ]
                },"trips": {
                  Row: {
                    "created_at": string,"created_by": string | null,"days": NonNullable<Json>,"deleted_at": string | null,"destination": string,"end_date": string | null,"id": string,"name": string,"settings": NonNullable<Json>,"start_date": string | null,"updated_at": string,"version": number
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"created_by"?: string | null,"days"?: NonNullable<Json>,"deleted_at"?: string | null,"destination"?: string,"end_date"?: string | null,"id"?: string,"name": string,"settings"?: NonNullable<Json>,"start_date"?: string | null,"updated_at"?: string,"version"?: number
                  }
                  Update: {
                    "created_at"?: string,"created_by"?: string | null,"days"?: NonNullable<Json>,"deleted_at"?: string | null,"destination"?: string,"end_date"?: string | null,"id"?: string,"name"?: string,"settings"?: NonNullable<Json>,"start_date"?: string | null,"updated_at"?: string,"version"?: number
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "invite_member":
{ Args: { "email": string,"role": string,"trip_id": string }; Returns: Json
                           },
"pull_changes":
{ Args: { "cursor": string,"max_rows"?: number }; Returns: Json
                           },
"pull_changes_text":
{ Args: { "client_id"?: string,"cursor": string,"max_rows"?: number }; Returns: {
              "body": string,"changes": number,"has_more": boolean
            }[]
                           },
"push_changes":
{ Args: { "changes": Json,"client_id": string }; Returns: Json
                           },
"push_changes_text":
{ Args: { "changes": Json,"client_id": string }; Returns: {
              "body": string,"statuses": Json
            }[]
                           },
"trip_checksums":
{ Args: { "trip_ids": (string)[] }; Returns: {
              "checksum": string,"trip_id": string
            }[]
                           },
"trip_history":
{ Args: { "before"?: string,"max_rows"?: number,"trip_id": string }; Returns: {
              "actor": string,"at": string,"changed_fields": (string)[],"cursor": string,"entity": string,"op": string,"row_id": string,"version": number
            }[]
                           }
          }
          Enums: {
            [_ in never]: never
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            
          }
        }
} as const
