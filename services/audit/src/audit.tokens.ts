export const AUDIT_CONFIG = Symbol('AUDIT_CONFIG');
export const TREE_HEAD_KEY = Symbol('TREE_HEAD_KEY');
export const REGISTER_EVENT_STORE = Symbol('REGISTER_EVENT_STORE');
