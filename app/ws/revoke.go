package ws

// CloseToken closes every connection opened with the credential tokenID
// (an API token's id that was revoked, or a session's
// auth.SessionCredential that logged out) with close code 1008.
// Revocations are rare, so it walks the user index once instead of keeping
// a third index.
func (r *Registry) CloseToken(tokenID string) {
	if tokenID == "" {
		return
	}
	var victims []*Conn
	r.mu.RLock()
	for _, set := range r.users {
		for c := range set {
			if c.TokenID() == tokenID || c.credential == tokenID {
				victims = append(victims, c)
			}
		}
	}
	r.mu.RUnlock()
	for _, c := range victims {
		c.Close(CloseRevoked, "token revoked")
	}
}

// Revoke ends the connections that lost their credentials: every
// connection of userID when tokenID is empty (the user was deleted), else
// those opened with tokenID (a token or a session). It suits
// auth.Service.OnRevoke.
func (r *Registry) Revoke(userID, tokenID string) {
	if tokenID == "" {
		r.CloseUser(userID, CloseRevoked, "signed out")
		return
	}
	r.CloseToken(tokenID)
}
