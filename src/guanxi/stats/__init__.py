"""Statistical models (scikit-learn style), with no Django: ticket triage and sentiment
(``triage``); the lifetime-value, basket and churn estimators are to come."""
